"""The Luma work, apart from the platform: functions that take a `LumaClient` and plain values and return plain
values. Actions, workflow actions and triggers all build on these; none of them knows about Autohive's SDK."""
