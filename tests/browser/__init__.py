"""Journeys through the dashboard in a real browser (Chromium via Playwright); see conftest.py."""
