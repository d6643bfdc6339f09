# jutsu %preun: on the last removal the service is disabled and stopped
# (as Fedora's %systemd_preun).
if [ "$1" -eq 0 ] && [ -x /usr/bin/systemctl ]; then
    systemctl --no-reload disable --now jutsu.service >/dev/null 2>&1 || :
fi
