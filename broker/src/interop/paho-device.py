"""A scripted Eclipse Paho (Debian python3-paho-mqtt 1.6) MQTT client for the interop tests.

Usage: python3 paho-device.py '<json spec>'; prints one JSON object per line
(connack, suback, message, published, done). The spec:
  host, port, clientId, username?, password?, clean (bool), keepalive (s),
  will? {topic, payload, qos, retain}, subscribe? [{topic, qos}],
  publish? [{topic, payload, qos, retain}], expect (messages to wait for),
  timeout (s), end: "disconnect" | "drop" (close the socket without DISCONNECT)
"""
import json
import os
import sys
import threading
import time

import paho.mqtt.client as mqtt

spec = json.loads(sys.argv[1])
lock = threading.Lock()
messages = []
pending = set()
acked = set()
connected = threading.Event()
subscribed = threading.Event()


def emit(obj):
    with lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def on_connect(client, userdata, flags, rc):
    emit({"event": "connack", "rc": rc, "sessionPresent": bool(flags.get("session present", 0))})
    connected.set()


def on_subscribe(client, userdata, mid, granted):
    emit({"event": "suback", "granted": list(granted)})
    subscribed.set()


def on_message(client, userdata, msg):
    messages.append(msg)
    emit({"event": "message", "topic": msg.topic, "payload": msg.payload.decode("utf-8", "replace"), "qos": msg.qos, "retain": bool(msg.retain)})


def on_publish(client, userdata, mid):
    acked.add(mid)
    emit({"event": "published", "mid": mid})


client = mqtt.Client(client_id=spec["clientId"], clean_session=spec.get("clean", True), protocol=mqtt.MQTTv311)
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.on_publish = on_publish
if spec.get("username"):
    client.username_pw_set(spec["username"], spec.get("password"))
will = spec.get("will")
if will:
    client.will_set(will["topic"], will["payload"], qos=will.get("qos", 1), retain=will.get("retain", False))

deadline = time.time() + spec.get("timeout", 10)
client.connect(spec["host"], spec["port"], keepalive=spec.get("keepalive", 60))
client.loop_start()
if not connected.wait(max(0.0, deadline - time.time())):
    emit({"event": "error", "detail": "no CONNACK"})
    os._exit(2)

if spec.get("subscribe"):
    client.subscribe([(s["topic"], s.get("qos", 1)) for s in spec["subscribe"]])
    subscribed.wait(max(0.0, deadline - time.time()))

if spec.get("delayPublishS"):
    # Idle long enough for several keep-alive periods: paho must PINGREQ to stay connected.
    time.sleep(spec["delayPublishS"])

for p in spec.get("publish", []):
    info = client.publish(p["topic"], p["payload"], qos=p.get("qos", 1), retain=p.get("retain", False))
    if p.get("qos", 1) > 0:
        pending.add(info.mid)

while time.time() < deadline and (not pending <= acked or len(messages) < spec.get("expect", 0)):
    time.sleep(0.01)

hold = spec.get("holdS", 0)
if hold:
    time.sleep(hold)

emit({"event": "done", "messages": len(messages), "unacked": len(pending - acked)})
if spec.get("end", "disconnect") == "drop":
    # Vanish like a device losing power: no DISCONNECT, so the broker fires the Last Will.
    client.socket().close()
    os._exit(0)
client.disconnect()
client.loop_stop()
