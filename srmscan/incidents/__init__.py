"""The incident commands (`patch-plan`, `events`): questions a team asks under time pressure.

Collection of the few extra facts these commands need lives in `evidence` / `events`
(through the `Collection` choke point); deciding who patches what by when is pure
(`patch_plan`, `events.list_events`) and rendering is in `output`.
"""
