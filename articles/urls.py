from django.urls import path, register_converter

from . import api, feeds, views

app_name = "articles"

register_converter(feeds.FeedFormatConverter, "feed_format")

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency"),
    path("preview/<str:token>/", views.shared_preview, name="shared_preview"),
    path("feeds/<feed_format:feed_format>/", feeds.LatestFeed.as_view(), name="feed_latest"),
    path("feeds/sections/<slug:slug>/<feed_format:feed_format>/", feeds.SectionFeed.as_view(), name="feed_section"),
    path("feeds/topics/<slug:slug>/<feed_format:feed_format>/", feeds.TopicFeed.as_view(), name="feed_topic"),
    path("feeds/authors/<slug:slug>/<feed_format:feed_format>/", feeds.AuthorFeed.as_view(), name="feed_author"),
    path("feeds/agencies/<slug:slug>/<feed_format:feed_format>/", feeds.AgencyFeed.as_view(), name="feed_agency"),
    path("api/articles/", api.article_list, name="api_article_list"),
    path("api/articles/<int:pk>/", api.article_detail, name="api_article_detail"),
    path("search/", views.search, name="search"),
    path("beacon/<int:article_id>/", views.beacon, name="beacon"),
    # Last, so that the fixed prefixes above win; sections may not take their names (sections.models.RESERVED_SLUGS).
    path("<slug:section_slug>/<str:slug>/", views.article_detail, name="detail"),
]
