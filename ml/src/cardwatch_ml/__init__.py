"""The model: transaction simulator, offline features, training, evaluation and model bundles."""
