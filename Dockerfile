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
# Workers: gunicorn.conf.py reads WEB_CONCURRENCY. A container sees every core of its host, not
# its CPU limit, so the image says 3 (right for 2 cores); set it to the cores you give it, plus one.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "betterway.wsgi:application", "--bind", "0.0.0.0:8000"]
