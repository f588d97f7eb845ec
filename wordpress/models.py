from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ImportedItem(models.Model):
    """What a WordPress item became here: lets a second import update instead of duplicate.

    An item is its site, WordPress post id and GUID. The GUID never changes, so it also
    finds the post when the site moved to another address or another WordPress (new ids)
    between exports; the id tells apart the posts some exports give the same GUID; and two
    installs at one address can reuse an id for different posts, which the GUID tells apart.
    """

    source = models.CharField(
        max_length=200, help_text="The exported site's address, without the scheme."
    )
    wp_id = models.PositiveBigIntegerField("WordPress post id")
    guid = models.CharField("GUID", max_length=500, blank=True, db_index=True)
    wp_type = models.CharField("WordPress type", max_length=20)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    old_url = models.CharField("old address", max_length=500, blank=True)
    old_path = models.CharField(
        max_length=200, blank=True, help_text="The redirect made from the old address."
    )
    first_imported_at = models.DateTimeField(auto_now_add=True)
    last_imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source", "wp_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "wp_id", "guid"], name="wordpress_item_unique_id"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = "imported WordPress item"

    def __str__(self):
        return f"{self.wp_type} {self.wp_id} from {self.source}"
