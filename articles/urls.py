from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency"),
    path("search/", views.search, name="search"),
    path("beacon/<int:article_id>/", views.beacon, name="beacon"),
    # Last, so that the fixed prefixes above win; sections may not take their names (sections.models.RESERVED_SLUGS).
    path("<slug:section_slug>/<str:slug>/", views.article_detail, name="detail"),
]
