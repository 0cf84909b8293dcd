"""What makes a model accountable: SHAP, plain-language narratives, fairness audit, model card, register entry."""
