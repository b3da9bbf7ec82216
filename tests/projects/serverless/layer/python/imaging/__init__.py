"""Thumbnail geometry shared by the image functions (the `imaging` layer)."""

MAX_EDGE = 320


def thumbnail_size(size):
    width, height = size
    scale = min(1.0, MAX_EDGE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))
