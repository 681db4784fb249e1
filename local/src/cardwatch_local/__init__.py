"""cardwatch on one machine: embedded AWS, the SAM templates deployed into it, a local Lambda
runtime, the demo, and the `cardwatch` command line."""
