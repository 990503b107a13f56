"""Meetings with a meal: /bijeenkomst wizard, RSVP buttons, dietary needs, headcounts."""
