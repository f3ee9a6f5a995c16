"""Providers of the ModelArts operations: our REST client and the official-SDK wrapper."""

from __future__ import annotations

from modelarts_widgets.client._http import HttpClient, HttpEvent, HttpReply, RetryPolicy
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.client.official import OfficialSdkApi
from modelarts_widgets.client.rest import RestClient

__all__ = [
    "HttpClient",
    "HttpEvent",
    "HttpReply",
    "ModelArtsApi",
    "OfficialSdkApi",
    "RestClient",
    "RetryPolicy",
]
