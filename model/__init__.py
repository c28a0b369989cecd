"""Engine: parameters, agents, the Mesa model and its reporters."""
