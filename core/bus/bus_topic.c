/*
 * core/bus/bus_topic.c — topic and pattern names: what a valid one looks
 * like, and whether a pattern matches a topic (syntax in jutsu/bus.h).
 * Pure functions of their arguments: no bus, no lock.
 */
#include "bus/bus_int.h"

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

static int name_valid(const char *s, int pattern)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (;;) {
        const char *seg = s;
        if (pattern && (*s == '*' || *s == '>')) {
            char w = *s++;
            if (*s != '\0' && (w == '>' || *s != '.'))
                return 0;
        } else {
            while (name_char(*s))
                s++;
            if (s == seg)
                return 0;
        }
        if (*s == '\0')
            return 1;
        if (*s != '.')
            return 0;
        s++;
    }
}

int jutsu_bus_pattern_valid(const char *pattern)
{
    return name_valid(pattern, 1);
}

int jutsu_bus_topic_valid(const char *topic)
{
    return name_valid(topic, 0);
}

/* Both arguments already validated: no checks for malformed input. */
int jutsu_bus_match_valid(const char *p, const char *t)
{
    for (;;) {
        if (*p == '>')
            return 1;   /* t is at the start of a non-empty segment */
        if (*p == '*') {
            p++;
            while (*t != '\0' && *t != '.')
                t++;
        } else {
            while (*p != '\0' && *p != '.' && *p == *t) {
                p++;
                t++;
            }
            if ((*p != '\0' && *p != '.') || (*t != '\0' && *t != '.'))
                return 0;
        }
        if (*p == '\0' || *t == '\0')
            return *p == *t;
        p++;
        t++;
    }
}

int jutsu_bus_match(const char *pattern, const char *topic)
{
    if (!jutsu_bus_pattern_valid(pattern) || !jutsu_bus_topic_valid(topic))
        return 0;
    return jutsu_bus_match_valid(pattern, topic);
}
