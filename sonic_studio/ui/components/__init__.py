"""Reusable parts of the window that know the app (services, the bridge): forms, models, bars.

Pages (tabs/, panels/, dialogs/) are composed of these and of app-free widgets/; a
component never imports a page.
"""
