from django.urls import path

from roundtable.casesummary import views

app_name = "casesummary"

urlpatterns = [
    path("<int:pk>/summary/", views.summary_page, name="page"),
    path("<int:pk>/summary.pdf", views.case_summary_pdf, name="pdf"),
]
