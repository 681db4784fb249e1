"""notifier Lambda: fraud verdicts to one SNS email alert each."""
