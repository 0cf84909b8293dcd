"""The FastAPI service: advice with the human in the loop, decisions and the audit trail."""
