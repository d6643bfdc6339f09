# jutsu %post: the system user and its state directory; the unit follows
# the system's presets (as Fedora's %systemd_post: not started on install).
systemd-sysusers /usr/lib/sysusers.d/jutsu.conf || :
systemd-tmpfiles --create /usr/lib/tmpfiles.d/jutsu.conf || :
if [ "$1" -eq 1 ] && [ -x /usr/bin/systemctl ]; then
    systemctl --no-reload preset jutsu.service >/dev/null 2>&1 || :
fi
