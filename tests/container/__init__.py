"""Builds and runs the action's container image (buildah): see test_image.py."""
