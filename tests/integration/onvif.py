# SPDX-License-Identifier: Apache-2.0
"""A minimal ONVIF SOAP client for the tests, written independently of camguard's C++ one.

Builds SOAP 1.2 envelopes with an optional WS-UsernameToken (PasswordDigest =
Base64(SHA1(nonce + created + password))), posts them with urllib, and returns
(HTTP status, parsed XML root). Python 3 standard library only.
"""

import base64
import datetime
import hashlib
import os
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST_TYPE = ("http://docs.oasis-open.org/wss/2004/01/"
               "oasis-200401-wss-username-token-profile-1.0#PasswordDigest")


def username_token(user, password, nonce=None, created=None):
    nonce = nonce if nonce is not None else os.urandom(16)
    created = created or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest())
    return (f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
            f"<wsse:Username>{user}</wsse:Username>"
            f'<wsse:Password Type="{DIGEST_TYPE}">{digest.decode()}</wsse:Password>'
            f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
            f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>")


def envelope(body, header=""):
    names = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
    return f'<?xml version="1.0"?><s:Envelope {names}><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>'


def call(url, body, user=None, password=None, header=None, timeout=10):
    """Posts an operation; returns (status, root element or None)."""
    if header is None and user is not None:
        header = username_token(user, password)
    data = envelope(body, header or "").encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/soap+xml; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    try:
        root = ET.fromstring(payload) if payload else None
    except ET.ParseError:
        root = None
    return status, root


def find(root, path):
    """First element text under root by a path of local names ('Body/GetStatusResponse/...')."""
    node = find_node(root, path)
    return None if node is None else (node.text or "")


def find_node(root, path):
    nodes = [root]
    for name in path.split("/"):
        found = None
        for node in nodes:
            for child in node.iter():
                if child is not node and child.tag.split("}")[-1] == name:
                    found = child
                    break
            if found is not None:
                break
        if found is None:
            return None
        nodes = [found]
    return nodes[0]


def ptz_status(url, user, password, profile="main"):
    status, root = call(url, f"<tptz:GetStatus><tptz:ProfileToken>{profile}</tptz:ProfileToken></tptz:GetStatus>",
                        user, password)
    assert status == 200, status
    pan_tilt = find_node(root, "Position/PanTilt")
    return (float(pan_tilt.get("x")), float(pan_tilt.get("y")), find(root, "MoveStatus/PanTilt"))
