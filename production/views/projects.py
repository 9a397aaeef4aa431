"""Stub: being written."""

def project_list(request):
    raise NotImplementedError


def project_create(request):
    raise NotImplementedError


def project_archive(request, code):
    raise NotImplementedError
