"""Individual action plans: revisions of goals and actions, reviewed by a supervisor."""
