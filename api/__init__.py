"""The advisory service: FastAPI app, storage, audit trail. It advises; a person decides."""
