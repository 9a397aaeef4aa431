"""Stub: being written."""

def task_detail(request, key):
    raise NotImplementedError


def task_create(request, code):
    raise NotImplementedError


def task_edit(request, key):
    raise NotImplementedError


def task_move(request, key):
    raise NotImplementedError


def task_comment(request, key):
    raise NotImplementedError


def task_archive(request, key):
    raise NotImplementedError
