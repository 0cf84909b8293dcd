"""What is learned: forecasters, triage estimators, capacity planning and the feature policy.

Plain scikit-learn-style estimators; nothing here knows MLflow, Prefect or FastAPI.
"""
