"""`bondgenoten demo`: the whole check-in loop, played by simulated people in the sandbox."""
