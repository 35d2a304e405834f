"""The emulator's routes: one module per Luma resource; `table` gathers them into one route table."""
