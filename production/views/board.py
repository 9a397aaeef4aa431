"""Stub: being written."""

def board(request, code):
    raise NotImplementedError
