FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --create-home app
USER app
EXPOSE 8000
# Workers: gunicorn.conf.py (one per core and one more; WEB_CONCURRENCY sets it).
CMD ["gunicorn", "betterway.wsgi:application", "--bind", "0.0.0.0:8000"]
