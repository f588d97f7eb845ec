"""Pagination that never counts: a page fetches one row more than it shows.

Django's Paginator runs `SELECT COUNT(*)` over the whole list on every page, a cost that
grows with the table. Reader pages only link to the newer and the older page, so they need
to know whether there is a next page, not how many there are: this paginator asks for
`per_page + 1` rows (LIMIT … OFFSET …) and that extra row answers the question.

What it cannot tell: the number of items and of pages (`count` and `num_pages` are None;
templates print "Page N" and add "of M" only when `num_pages` is set), and so which page
is the last (`?page=last` is a 404). A page number past the end raises EmptyPage, which
ListView and the date-based views turn into a 404, as with Django's paginator.

Use it as `paginator_class` on a ListView or a date-based archive view.
"""

import collections.abc
import warnings

from django.core.paginator import EmptyPage, PageNotAnInteger, UnorderedObjectListWarning
from django.utils.translation import gettext_lazy as _

# OFFSET and LIMIT are 64-bit integers in the database: a page number beyond them is empty.
_MAX_ROW = 2**63 - 1


def page_number(number, per_page: int) -> int:
    """A requested page number (`?page=`) as an int of at least 1 whose rows the database
    can address; PageNotAnInteger or EmptyPage otherwise, which views answer with a 404.

    For views that page without a paginator (the home page's timeline): the same rules as
    CountlessPaginator, so `?page=99999999999999999999` never reaches OFFSET."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        number = int(number)
    except (TypeError, ValueError):
        raise PageNotAnInteger(_("That page number is not an integer")) from None
    if number < 1:
        raise EmptyPage(_("That page number is less than 1"))
    if number * per_page + 1 > _MAX_ROW:
        raise EmptyPage(_("That page contains no results"))
    return number


class CountlessPaginator:
    count = None
    num_pages = None

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        if orphans:
            # Absorbing a short last page into the previous one needs to know where the end
            # is, which is what this paginator does not look up.
            raise ValueError("CountlessPaginator does not support orphans.")
        self.object_list = object_list
        self.per_page = int(per_page)
        self.orphans = 0
        self.allow_empty_first_page = allow_empty_first_page
        self._check_object_list_is_ordered()

    def _check_object_list_is_ordered(self):
        ordered = getattr(self.object_list, "ordered", None)
        if ordered is not None and not ordered:
            warnings.warn(
                f"Pagination may yield inconsistent results with an unordered object_list: "
                f"{self.object_list!r}.",
                UnorderedObjectListWarning,
                stacklevel=3,
            )

    def validate_number(self, number) -> int:
        """The page number as an int of at least 1 (PageNotAnInteger or EmptyPage if not).

        Whether the page has items is only known once it is fetched (see page())."""
        return page_number(number, self.per_page)

    def page(self, number) -> "CountlessPage":
        """Page `number`, in one query of at most per_page + 1 rows."""
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        rows = list(self.object_list[offset : offset + self.per_page + 1])
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage(_("That page contains no results"))
        has_next = len(rows) > self.per_page
        return CountlessPage(rows[: self.per_page], number, self, has_next=has_next)

    def get_page(self, number) -> "CountlessPage":
        """Page `number`, or the first page for a number that is not a page with items
        (Django's get_page falls back to the last page, which is unknown here)."""
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):
            return self.page(1)


class CountlessPage(collections.abc.Sequence):
    def __init__(self, object_list: list, number: int, paginator, *, has_next: bool):
        self.object_list = object_list
        self.number = number
        self.paginator = paginator
        self._has_next = has_next

    def __repr__(self):
        return f"<Page {self.number}>"

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def __iter__(self):
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self._has_next or self.number > 1

    def next_page_number(self) -> int:
        if not self._has_next:
            raise EmptyPage(_("That page contains no results"))
        return self.number + 1

    def previous_page_number(self) -> int:
        if self.number <= 1:
            raise EmptyPage(_("That page number is less than 1"))
        return self.number - 1

    def start_index(self) -> int:
        """The 1-based index of the page's first item (0 on an empty page)."""
        if not self.object_list:
            return 0
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        """The 1-based index of the page's last item (0 on an empty page)."""
        if not self.object_list:
            return 0
        return self.start_index() + len(self.object_list) - 1
