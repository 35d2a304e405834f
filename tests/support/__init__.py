"""What every test file shares: fakes of Luma's answers (fakes), sample Luma objects (samples), helpers for runs
against the local Luma (live) and each action's example input (examples)."""
