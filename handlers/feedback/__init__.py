"""Feedback after a check-in (/terugkoppeling): the wizard, its buttons, texts and jobs."""
