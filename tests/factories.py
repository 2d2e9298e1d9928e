from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from cityhall.accounts.models import Department, User

TEST_PASSWORD = "correct horse battery staple river"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    slug = factory.Sequence(lambda n: f"department-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)
