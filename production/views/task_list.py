"""Stub: being written."""

def task_list(request, code):
    raise NotImplementedError


def task_bulk(request, code):
    raise NotImplementedError
