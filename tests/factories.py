import datetime

import factory
from django.utils import timezone

from blog.models import Category, Post, PostUpdate, Series
from core.models import Status
from newsletter.models import Issue, Subscriber
from projects.models import Project, Release


def ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-{n}")
    body = "A first paragraph about **serverless**.\n\nA second one.\n"
    status = Status.PUBLISHED
    published_at = factory.Sequence(lambda n: ago(days=1000 - n))

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    tagline = "Does one thing well"
    description = "A *small* library."


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    project = factory.SubFactory(ProjectFactory)
    version = factory.Sequence(lambda n: f"1.{n}.0")
    summary = "Faster cold starts and a new router."
    notes = "### Added\n\n- A router\n"
    status = Status.PUBLISHED
    published_at = factory.Sequence(lambda n: ago(days=1000 - n, hours=1))


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    number = factory.Sequence(lambda n: n + 1)
    subtitle = "Cold starts, connection pools and a new release"
    body = "Hello readers.\n\n- [A link](https://example.com/)\n"
    status = Status.PUBLISHED
    published_at = factory.Sequence(lambda n: ago(days=1000 - n, hours=2))


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    status = Subscriber.Status.ACTIVE
    source = "test"


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"Series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")
    description = "Posts that *belong together*."


class PostUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostUpdate

    post = factory.SubFactory(PostFactory)
    date = factory.LazyFunction(timezone.now)
    note = "A **correction** about the timeout table."
