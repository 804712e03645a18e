"""Collection: the only code in srmscan that talks to AWS."""
