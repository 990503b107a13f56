"""Closing the loop after a check-in: feedback to the groups, and a reminder when none came."""

from services.feedback.sending import FeedbackSender
from services.feedback.service import FeedbackService

__all__ = ["FeedbackSender", "FeedbackService"]
