"""Calibration of the engine to public statistics (see the calibration issue)."""
