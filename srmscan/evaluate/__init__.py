"""Evaluation: pure judgement over a collected inventory, with no AWS calls and no clock.

`engine` loads rule files and runs them, `rules_api` is what a rule file imports, `matrix` is the
responsibility matrix, `mutes` suppresses findings, `policy` reads IAM/resource policy documents,
`resilience` judges scheduled events against the workload's design, `timestamps` reads stored
timestamps and ages, `summary` counts findings, `resources` locates the bundled rules and templates. Only the model, redact and errors below it.
"""
