// libmosquitto for Swift (Debian's libmosquitto-dev): the MQTT client behind the `mqtt` event
// endpoint. Its functions are plain C (no variadic ones), so they import as they are.
#ifndef CMOSQUITTO_H
#define CMOSQUITTO_H
#include <mosquitto.h>
#endif
