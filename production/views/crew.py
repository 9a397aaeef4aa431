"""Stub: being written."""

def crew(request, code):
    raise NotImplementedError


def crew_member(request, code, pk):
    raise NotImplementedError


def crew_remove(request, code, pk):
    raise NotImplementedError
