"""``filters.sorted_rows`` keeps only each post's sort key and output row (issue 16: ``list
--no-index`` held every post to sort them, 1.2 GB at a million posts) and orders them exactly
as ``sort_posts`` orders the posts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from newsctl.filters import sort_posts, sorted_rows
from newsctl.jekyll.post import Post

_ZONES = [dt.timezone.utc, ZoneInfo("Asia/Shanghai"), dt.timezone(dt.timedelta(hours=-5))]
_dates = st.one_of(
    st.none(),
    st.builds(
        lambda seconds, micro, zone: (dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc)
                                      + dt.timedelta(seconds=seconds, microseconds=micro)).astimezone(zone),
        st.integers(-3, 3), st.sampled_from([0, 1, 999_999]), st.sampled_from(_ZONES),
    ),
    st.just(dt.datetime(1, 1, 1, 12, tzinfo=dt.timezone.utc)),
)  # fmt: skip


def _post(number: int, path: str, title: str, date: dt.datetime | None) -> Post:
    return Post(
        path=path, relative_path=path, site_root=None, kind="post", title=title, date=date, categories=(), tags=(),
        slug=str(number), url=None, layout=None, published=True, front_matter={}, front_matter_format=None,
        front_matter_raw="", body="", body_line=1, bom=False,
    )  # fmt: skip


@given(
    st.lists(st.tuples(st.sampled_from(["a.md", "b.md", "B.md", "c/d.md"]), st.sampled_from(["x", "X", "y", "ß", "SS"]),
                       _dates), max_size=12),
    st.sampled_from(["date", "title", "path"]),
    st.booleans(),
)  # fmt: skip
def test_rows_come_in_the_order_of_sort_posts(
    specs: list[tuple[str, str, dt.datetime | None]], key: str, reverse: bool
) -> None:
    posts = [_post(number, path, title, date) for number, (path, title, date) in enumerate(specs)]
    expected = [post.slug for post in sort_posts(posts, key, reverse=reverse)]
    assert [post.slug for post in sorted_rows(iter(posts), key, lambda post: post, reverse=reverse)] == expected
