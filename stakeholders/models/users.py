"""A person's account: email is the login."""

from types import SimpleNamespace
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import connections, models, router
from django.utils.translation import gettext_lazy as _

from reentry.personsql import person_sql

# Per database: the loaded fields' names, and what converts their values (see ``get``).
_COLUMNS: dict[str, tuple[list[str], tuple | None]] = {}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get(self, *args: Any, **kwargs: Any) -> "User":
        """``User.objects.get(pk=<id>)``, which every signed-in request runs for its
        person (Django's ``ModelBackend.get_user``), from SQL compiled once per database
        (``reentry.personsql``): building the query through the ORM took three times as
        long as running it (issue 18). Any other lookup is the ORM's own."""
        if args or kwargs.keys() != {"pk"} or type(kwargs["pk"]) is not int:
            return super().get(*args, **kwargs)
        db = self._db or router.db_for_read(self.model)
        sql, params = person_sql(
            ("user_by_id",),
            lambda person: self.get_queryset().using(db).filter(pk=person.pk),
            SimpleNamespace(pk=kwargs["pk"]),
            using=db,
        )
        with connections[db].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        names, converters = self._columns(db)
        if converters:  # the database's values as the ORM gives them (SQLite's dates)
            row = next(converters[0].apply_converters([row], converters[1]))
        return self.model.from_db(db, names, row)

    def _columns(self, db: str) -> tuple[list[str], tuple | None]:
        """The loaded fields' names, in the SQL's order, and the compiler and converters
        that turn the driver's values into the ORM's, once per database."""
        if db not in _COLUMNS:
            compiler = self.get_queryset().using(db).query.get_compiler(using=db)
            compiler.setup_query()
            converters = compiler.get_converters([column for column, _, _ in compiler.select])
            names = [field.attname for field in self.model._meta.concrete_fields]
            _COLUMNS[db] = (names, (compiler, converters) if converters else None)
        return _COLUMNS[db]


class User(AbstractUser):
    """A person's account. Email is the login; one name field, as people write it."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(
        _("name"), max_length=150, help_text=_("The name you would like others to see.")
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Email login: this manager's create_user takes no username, unlike AbstractUser's.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email
