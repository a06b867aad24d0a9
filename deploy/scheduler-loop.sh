#!/bin/sh
# The scheduled jobs, for a deployment with neither cron nor systemd timers: docker-compose's
# `scheduler` service runs this. Every few minutes it queues the openings and closings that are
# due and hands on emails a stopped worker left; once a day from 09:00 London time it queues the
# reminders and runs the daily clean-ups. Every job is safe to run twice (a restart of this loop
# runs the daily ones again), and the work itself is done by the workers (`db_worker`).
set -u
interval=${SCHEDULER_INTERVAL_SECONDS:-300}
daily_done=""
while true; do
    python manage.py open_due_cycles
    python manage.py close_due_cycles
    python manage.py sweep_deliveries
    today=$(TZ=Europe/London date +%F)
    if [ "$(TZ=Europe/London date +%H)" -ge 9 ] && [ "$daily_done" != "$today" ]; then
        python manage.py send_reminders
        python manage.py send_action_reminders
        python manage.py erase_personal_data
        python manage.py prune_db_task_results
        daily_done=$today
    fi
    sleep "$interval"
done
