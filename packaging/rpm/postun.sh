# jutsu %postun: after an upgrade a running service restarts on the new
# files (as Fedora's %systemd_postun_with_restart). The user and
# /var/lib/jutsu stay: they hold the admin's data.
if [ -x /usr/bin/systemctl ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart jutsu.service >/dev/null 2>&1 || :
    fi
fi
