-- One PostgreSQL server, one database per store (docs/deploy.md): the API's (werkwijzer, made by the
-- image from POSTGRES_DB), MLflow's tracking and registry, and Prefect's orchestration state.
CREATE DATABASE mlflow OWNER werkwijzer;
CREATE DATABASE prefect OWNER werkwijzer;
