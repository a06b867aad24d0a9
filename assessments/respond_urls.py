"""The respondent's journey, reached only through a personal link."""

urlpatterns: list = []
