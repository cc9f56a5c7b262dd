"""Video for the demo: reading and writing clips (`io`), linking people across frames (`tracking`) and
smoothing each track's parameters over time (`smoothing`)."""
