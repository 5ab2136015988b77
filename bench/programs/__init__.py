"""W1 as a whole program per system (start, import, build, fit 10 epochs, predict, exit)."""
