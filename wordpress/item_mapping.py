"""Which post each WordPress item became (ImportedItem), so that a second import of the
same site updates its posts, or leaves them alone, instead of duplicating them."""

from django.contrib.contenttypes.models import ContentType

from blog.models import Post
from wordpress.models import ImportedItem
from wordpress.wxr import ScanResult, WxrItem


def find(
    scan: ScanResult, item: WxrItem, post_type: ContentType
) -> tuple[ImportedItem | None, Post | None]:
    """The earlier import of this item, if any, and the post it became."""
    source, guid = scan.source, item.guid[:500]
    same_id = ImportedItem.objects.filter(source=source, wp_id=item.post_id)
    mapping = same_id.filter(guid=guid).first()
    if mapping is None and guid:
        # The same post exported from another address, or after a move to a new
        # WordPress (new ids, same GUID). Exports do reuse GUIDs for different posts, so
        # a mapping to an id of this very export is that other post, never this one.
        for candidate in ImportedItem.objects.filter(guid=guid):
            if candidate.source != source or candidate.wp_id not in scan.post_ids:
                mapping = candidate
                break
    if mapping is None:
        # An export without GUIDs, or an earlier one without: the id alone.
        mapping = same_id.filter(guid="").first() if guid else same_id.first()
    if mapping is None or mapping.content_type_id != post_type.pk:
        return mapping, None
    return mapping, Post.objects.filter(pk=mapping.object_id).first()


def remember(
    scan: ScanResult,
    item: WxrItem,
    post: Post,
    mapping: ImportedItem | None,
    post_type: ContentType,
) -> ImportedItem:
    """Record (or bring up to date) what the item became."""
    values = {
        "source": scan.source,
        "wp_id": item.post_id,
        "guid": item.guid[:500],
        "wp_type": item.post_type,
        "content_type": post_type,
        "object_id": post.pk,
        "old_url": item.link[:500],
    }
    if mapping is None:
        return ImportedItem.objects.create(**values)
    if any(getattr(mapping, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(mapping, key, value)
        mapping.save()
    return mapping
