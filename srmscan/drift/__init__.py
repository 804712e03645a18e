"""Change over time: saved inventories (`snapshot`), report-to-report changes (`diff`) and who
made a failing change (`attribution`, from CloudTrail)."""
